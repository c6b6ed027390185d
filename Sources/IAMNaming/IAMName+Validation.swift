extension IAMName {
    /// Checks that every field is `[A-Za-z0-9]+` and that the name fits ``iamLimit``.
    ///
    /// A value that passes renders to a name that ``parse(_:)`` reads back into the same value. Field
    /// values that would break that (an empty field, a `-` inside a field) fail here.
    ///
    /// - Throws: ``NamingError`` naming the first bad field and its first bad character, for example
    ///   `role 'ACME-GenAI-Use_CaseA-BedrockInvokeRole': field UseCaseOrGroup 'Use_CaseA' has '_' but fields
    ///   are [A-Za-z0-9]+`, or the overflow, for example `role name ACME-GenAI-…-BedrockInvokeRole is 71
    ///   characters, 7 over IAM's 64-character limit; shorten OrgPrefix, Layer, UseCaseOrGroup or Capability`.
    public func validate() throws(NamingError) {
        try checkFields(context: "\(kind.label) \(Quoting.quoted(rendered))")
        try checkLength()
    }

    /// The first field that is not `[A-Za-z0-9]+`, reported against `context`.
    func checkFields(context: String) throws(NamingError) {
        for (name, value) in fields {
            if let violation = NamingField.violation(in: value) {
                throw .invalidField(context: context, field: name, value: value, violation: violation)
            }
        }
    }

    /// The rendered length against ``iamLimit``; the fields must already be valid (ASCII).
    func checkLength() throws(NamingError) {
        guard let limit = iamLimit else { return }
        let length = rendered.utf8.count
        if length > limit { throw .tooLong(self, length: length, limit: limit) }
    }

    /// Whether ``validate()`` passes.
    public var isValid: Bool {
        do {
            try validate()
            return true
        } catch {
            return false
        }
    }
}

import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// The text content of every leaf element of a small XML document, keyed by its element path
/// (`AssumeRoleWithWebIdentityResponse/AssumeRoleWithWebIdentityResult/Credentials/AccessKeyId`).
///
/// STS answers are a few hundred bytes and arrive once per credential refresh, so Foundation's `XMLParser`
/// is fast enough. Namespaces are stripped: paths use local element names.
struct STSXMLDocument: Sendable {
    /// Leaf texts by element path; the first occurrence wins.
    private(set) var values: [String: String]
    /// The name of the document's root element.
    private(set) var rootElement: String?

    /// Parses `data`; returns `nil` when it is not well-formed XML.
    init?(data: Data) {
        let collector = Collector()
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        parser.delegate = collector
        guard parser.parse(), collector.rootElement != nil else { return nil }
        self.values = collector.values
        self.rootElement = collector.rootElement
    }

    /// The text of the element at exactly `path`.
    subscript(path: String) -> String? {
        values[path]
    }

    /// The text of the first element whose path ends with `suffix` (matched on whole path components).
    func value(endingWith suffix: String) -> String? {
        if let exact = values[suffix] { return exact }
        let dotted = "/" + suffix
        return values.first { $0.key.hasSuffix(dotted) }?.value
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var values: [String: String] = [:]
        var rootElement: String?
        private var path: [String] = []
        private var text = ""
        private var hasChildren: [Bool] = []

        func parser(
            _ parser: XMLParser,
            didStartElement elementName: String,
            namespaceURI: String?,
            qualifiedName qName: String?,
            attributes attributeDict: [String: String] = [:]
        ) {
            if rootElement == nil { rootElement = elementName }
            if !hasChildren.isEmpty { hasChildren[hasChildren.count - 1] = true }
            path.append(elementName)
            hasChildren.append(false)
            text = ""
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            text += string
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            text += String(decoding: CDATABlock, as: UTF8.self)
        }

        func parser(
            _ parser: XMLParser,
            didEndElement elementName: String,
            namespaceURI: String?,
            qualifiedName qName: String?
        ) {
            if hasChildren.last == false {
                let key = path.joined(separator: "/")
                if values[key] == nil {
                    values[key] = text.trimmingCharacters(in: .whitespacesAndNewlines)
                }
            }
            path.removeLast()
            hasChildren.removeLast()
            text = ""
        }
    }
}

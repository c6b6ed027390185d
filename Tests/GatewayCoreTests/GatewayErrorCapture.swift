import GatewayCore

struct NoGatewayError: Error, CustomStringConvertible {
    var value: String
    var description: String { "expected a GatewayError, got \(value)" }
}

/// Runs `body` and returns the ``GatewayError`` it throws; throws ``NoGatewayError`` when it throws nothing.
func gatewayError<T>(_ body: () throws(GatewayError) -> T) throws -> GatewayError {
    do {
        let value = try body()
        throw NoGatewayError(value: String(describing: value))
    } catch let error as GatewayError {
        return error
    }
}

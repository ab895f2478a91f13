/// The one error type that reaches the wire.
///
/// Handlers throw it directly (`throw HubError.conflict("betting is closed")`) or throw a
/// module error that conforms to ``WireErrorConvertible``. Anything else is turned into
/// ``ErrorCode/internal`` with an incident id by the kernel, so a stack trace never leaks.
public struct HubError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The stable code clients switch on.
    public var code: ErrorCode
    /// A human-readable explanation; never parsed by clients.
    public var message: String
    /// For ``ErrorCode/validationFailed``: the first offending payload field.
    public var field: String?
    /// For ``ErrorCode/rateLimited``: milliseconds until a retry can pass.
    public var retryAfterMs: Int?

    public init(_ code: ErrorCode, _ message: String, field: String? = nil, retryAfterMs: Int? = nil) {
        self.code = code
        self.message = message
        self.field = field
        self.retryAfterMs = retryAfterMs
    }

    public var description: String { "\(code.rawValue): \(message)" }

    public static func badRequest(_ message: String) -> HubError { .init(.badRequest, message) }
    public static func unknownType(_ type: String) -> HubError { .init(.unknownType, "no module handles '\(type)'") }
    public static func validation(_ field: String, _ message: String) -> HubError {
        .init(.validationFailed, message, field: field)
    }
    public static func unauthorized(_ message: String = "authentication required") -> HubError { .init(.unauthorized, message) }
    public static func forbidden(_ message: String = "not allowed") -> HubError { .init(.forbidden, message) }
    public static func notFound(_ message: String = "not found") -> HubError { .init(.notFound, message) }
    public static func conflict(_ message: String) -> HubError { .init(.conflict, message) }
    public static func rateLimited(retryAfterMs: Int) -> HubError {
        .init(.rateLimited, "rate limit exceeded", retryAfterMs: retryAfterMs)
    }
    public static func featureDisabled(_ module: String) -> HubError {
        .init(.featureDisabled, "module '\(module)' is switched off")
    }
    public static func payloadTooLarge(_ message: String) -> HubError { .init(.payloadTooLarge, message) }
    public static func unavailable(_ message: String = "a dependency is unavailable, retry later") -> HubError {
        .init(.unavailable, message)
    }
    public static func `internal`(incident: String) -> HubError {
        .init(.internal, "internal error, incident \(incident)")
    }
}

/// A module error that knows its wire form.
///
/// Module-specific error enums conform to this so the kernel maps them in one place:
/// ```swift
/// enum BetRejection: Error, WireErrorConvertible {
///     case roundClosed
///     var hubError: HubError { .conflict("betting is closed for this round") }
/// }
/// ```
public protocol WireErrorConvertible: Error {
    /// The wire error this error stands for.
    var hubError: HubError { get }
}

extension HubError: WireErrorConvertible {
    public var hubError: HubError { self }
}

/// The JSON shape of an error, shared by socket replies and HTTP bodies.
struct ErrorBody: Encodable {
    var code: ErrorCode
    var message: String
    var field: String?
    var retryAfterMs: Int?

    init(_ error: HubError) {
        code = error.code
        message = error.message
        field = error.field
        retryAfterMs = error.retryAfterMs
    }
}

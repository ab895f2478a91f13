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

    /// An error with its code and message; prefer the named factories below.
    public init(_ code: ErrorCode, _ message: String, field: String? = nil, retryAfterMs: Int? = nil) {
        self.code = code
        self.message = message
        self.field = field
        self.retryAfterMs = retryAfterMs
    }

    /// `code: message`, for logs.
    public var description: String { "\(code.rawValue): \(message)" }

    /// The frame is not a command the protocol can read (not JSON, no `type`, bad `id`).
    public static func badRequest(_ message: String) -> HubError { .init(.badRequest, message) }
    /// No loaded module handles `type`.
    public static func unknownType(_ type: String) -> HubError { .init(.unknownType, "no module handles '\(type)'") }
    /// A payload rule is broken; `field` names the first offending field, `message` says how.
    public static func validation(_ field: String, _ message: String) -> HubError {
        .init(.validationFailed, message, field: field)
    }
    /// No identity, or a token that is invalid or expired.
    public static func unauthorized(_ message: String = "authentication required") -> HubError { .init(.unauthorized, message) }
    /// The identity may never do this (checked before state).
    public static func forbidden(_ message: String = "not allowed") -> HubError { .init(.forbidden, message) }
    /// The resource does not exist, or is invisible to this identity.
    public static func notFound(_ message: String = "not found") -> HubError { .init(.notFound, message) }
    /// The current state refuses it; reloading state may help.
    public static func conflict(_ message: String) -> HubError { .init(.conflict, message) }
    /// Over a rate limit; a retry after `retryAfterMs` can pass.
    public static func rateLimited(retryAfterMs: Int) -> HubError {
        .init(.rateLimited, "rate limit exceeded", retryAfterMs: retryAfterMs)
    }
    /// The module is loaded but switched off by an operator.
    public static func featureDisabled(_ module: String) -> HubError {
        .init(.featureDisabled, "module '\(module)' is switched off")
    }
    /// The frame or body is above the configured maximum.
    public static func payloadTooLarge(_ message: String) -> HubError { .init(.payloadTooLarge, message) }
    /// A dependency (the database) failed or the node is draining; safe to retry.
    public static func unavailable(_ message: String = "a dependency is unavailable, retry later") -> HubError {
        .init(.unavailable, message)
    }
    /// A bug; `incident` is also in the server log, next to the real error.
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

/// The closed set of error codes a client can receive, over the socket and over HTTP.
///
/// Clients switch on these strings, so they never change meaning. Each case says when
/// the hub uses it and whether retrying the same command can succeed (``isTemporary``).
/// `docs/protocol.md` lists the same codes; a test keeps the two in step.
public enum ErrorCode: String, CaseIterable, Sendable, Codable {
    /// Not JSON, not an object, a missing or ill-typed `type`/`id`/`data`, or a binary frame. Do not retry.
    case badRequest = "bad_request"
    /// No loaded module handles the command's `type`. Do not retry.
    case unknownType = "unknown_type"
    /// The payload breaks a rule; `field` names the first offending field. Fix the input.
    case validationFailed = "validation_failed"
    /// No identity, or the token expired. Authenticate again, then retry.
    case unauthorized = "unauthorized"
    /// The identity lacks the role or does not own the resource. Do not retry.
    case forbidden = "forbidden"
    /// The referenced resource does not exist or is invisible to this identity.
    case notFound = "not_found"
    /// The current state forbids the command (a closed round, an illegal transition). Reload state first.
    case conflict = "conflict"
    /// Over a rate limit; retry after `retryAfterMs`.
    case rateLimited = "rate_limited"
    /// The module is loaded but switched off by an operator. Retry after a `hub.feature` event enables it.
    case featureDisabled = "feature_disabled"
    /// The frame or body is above the configured maximum. Do not retry unchanged.
    case payloadTooLarge = "payload_too_large"
    /// A dependency (the database) failed. Safe to retry.
    case unavailable = "unavailable"
    /// A bug in the server; the message carries an incident id that is also in the log.
    case `internal` = "internal"

    /// Whether the same command may succeed if sent again unchanged, later.
    public var isTemporary: Bool {
        switch self {
        case .rateLimited, .unavailable, .featureDisabled, .internal: true
        default: false
        }
    }

    /// The HTTP status used when this code answers an HTTP request.
    public var httpStatus: Int {
        switch self {
        case .badRequest, .unknownType, .validationFailed: 400
        case .unauthorized: 401
        case .forbidden: 403
        case .notFound: 404
        case .conflict: 409
        case .payloadTooLarge: 413
        case .rateLimited: 429
        case .featureDisabled, .unavailable: 503
        case .internal: 500
        }
    }
}

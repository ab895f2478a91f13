/// WebSocket close codes the hub uses.
///
/// 1000–1015 are RFC 6455's; 4000–4999 are private to this protocol (protocol.md,
/// "Close codes"). A client reconnects after 1001, 1012 and 4008, and re-authenticates
/// before reconnecting after 4001.
public enum CloseCode: UInt16, Sendable, CaseIterable {
    /// Normal closure.
    case normal = 1000
    /// The connection was idle too long (no frame and no pong).
    case goingAway = 1001
    /// The text frame was not valid UTF-8.
    case invalidPayload = 1007
    /// Too many invalid frames in a row, or rate-limit abuse.
    case policyViolation = 1008
    /// A frame above the transport limit (1 MiB).
    case messageTooBig = 1009
    /// The node is draining for a restart; reconnect to any node.
    case serviceRestart = 1012
    /// The access token expired or was revoked.
    case tokenExpired = 4001
    /// The client did not read fast enough and its outbound queue overflowed.
    case slowConsumer = 4008
}

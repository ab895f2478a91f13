import NIOCore

/// One whole message from a WebSocket client: its frames joined, inflated when compressed,
/// and for text checked to be UTF-8. What ``WebSocketMessageHandler`` hands the session.
enum InboundMessage: Sendable {
    /// A text message (commands are text).
    case text(String)
    /// A binary message (the hub answers it with an error; the conformance echo returns it).
    case binary(ByteBuffer)
}

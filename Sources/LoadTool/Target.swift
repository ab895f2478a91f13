import ArgumentParser
import NIOCore

/// The server under load and the dialect it speaks.
///
/// `switchboard` is the public protocol (`docs/protocol.md`): token on the upgrade URL,
/// `hub.welcome`, `chat.join` acknowledged by a reply, `chat.send` with an id so every send
/// is acknowledged once persisted. The others are the peers in `../shared/bench/peers`, so
/// one client measures every server in the same run: `hb-raw` (the bare Hummingbird room
/// relay, the transport's ceiling, which also measures this tool's own), `socketio`
/// (Engine.IO v4 over a plain WebSocket) and `django-channels` (the room in the URL).
struct Target: Sendable {
    enum Kind: String, ExpressibleByArgument, CaseIterable, Sendable {
        case switchboard
        case hbRaw = "hb-raw"
        case socketIO = "socketio"
        case djangoChannels = "django-channels"

        var defaultPort: Int {
            switch self {
            case .switchboard: 8080
            case .hbRaw: 8103
            case .socketIO: 8102
            case .djangoChannels: 8101
            }
        }
    }

    let kind: Kind
    let host: String
    let port: Int
    /// Every node to spread connections over (a cluster), `port` first; just `port` otherwise.
    var ports: [Int] = []

    /// The port of the `index`-th connection: round-robin over ``ports``.
    func port(forConnection index: Int) -> Int { ports.isEmpty ? port : ports[index % ports.count] }

    var authenticates: Bool { kind == .switchboard }

    /// Whether a connection is usable only after a server greeting (`hub.welcome`, or
    /// Engine.IO's open and namespace connect).
    var greets: Bool { kind == .switchboard || kind == .socketIO }

    /// Whether joining is a separate frame (Django joins the room named in the URL).
    var joinsByFrame: Bool { kind != .djangoChannels }

    func path(token: String?, room: String?) -> String {
        switch kind {
        case .switchboard: token.map { "/ws?access_token=\($0)" } ?? "/ws"
        case .hbRaw: "/ws"
        case .socketIO: "/socket.io/?EIO=4&transport=websocket"
        case .djangoChannels: "/ws/chat/\(room ?? "lobby")/"
        }
    }

    /// The frame that joins `room`; `id` is the command id to await (Switchboard only).
    func joinFrame(room: String, id: Int) -> ByteBuffer {
        switch kind {
        case .switchboard: ByteBuffer(string: #"{"id":\#(id),"type":"chat.join","data":{"room":"\#(room)"}}"#)
        case .hbRaw: ByteBuffer(string: #"{"join":"\#(room)"}"#)
        case .socketIO: ByteBuffer(string: #"42["join",{"room":"\#(room)"}]"#)
        case .djangoChannels: ByteBuffer()
        }
    }

    /// The frame that sends `text` to `room`; Switchboard commands carry `id` when given.
    func chatFrame(room: String, text: String, id: Int?) -> ByteBuffer {
        switch kind {
        case .switchboard:
            if let id {
                return ByteBuffer(string: #"{"id":\#(id),"type":"chat.send","data":{"room":"\#(room)","text":"\#(text)"}}"#)
            }
            return ByteBuffer(string: #"{"type":"chat.send","data":{"room":"\#(room)","text":"\#(text)"}}"#)
        case .hbRaw:
            return ByteBuffer(string: #"{"room":"\#(room)","text":"\#(text)"}"#)
        case .socketIO:
            return ByteBuffer(string: #"42["message",{"room":"\#(room)","text":"\#(text)"}]"#)
        case .djangoChannels:
            return ByteBuffer(string: #"{"message":"\#(text)","username":"bench"}"#)
        }
    }

    func parse(_ frame: ByteBuffer) -> ParsedFrame {
        switch kind {
        case .switchboard: ParsedFrame.switchboard(frame)
        case .hbRaw, .djangoChannels: ParsedFrame.markerOnly(frame)
        case .socketIO: ParsedFrame.socketIO(frame)
        }
    }
}

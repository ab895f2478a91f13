import HubKernel

/// `chat.typing {room, userId, displayName, typing, expiresInMs}` on `chat:<room>`: ephemeral
/// (no `seq`, no history); `typing: false` when the user stopped or the indicator lapsed.
struct TypingChanged: HubEvent {
    typealias Module = ChatModule
    static let name = "typing"
    static let isSequenced = false
    var room: String
    var userId: String
    var displayName: String
    var typing: Bool
    var expiresInMs: Int?
}

import HubKernel

/// `chat.deleted {message}` on `chat:<room>`: a message became a tombstone.
struct MessageDeleted: HubEvent {
    typealias Module = ChatModule
    static let name = "deleted"
    var message: MessageView
}

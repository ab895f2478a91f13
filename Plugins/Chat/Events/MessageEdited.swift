import HubKernel

/// `chat.edited {message}` on `chat:<room>`: the author changed a message's text.
struct MessageEdited: HubEvent {
    typealias Module = ChatModule
    static let name = "edited"
    var message: MessageView
}

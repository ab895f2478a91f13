import HubKernel

/// `chat.message {message}` on `chat:<room>`: a new message (sent once; a retried `clientMsgId` does not repeat it).
struct MessageSent: HubEvent {
    typealias Module = ChatModule
    static let name = "message"
    var message: MessageView
}

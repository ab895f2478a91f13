import HubKernel

/// `chat.read {room, lastReadSeq}` on `user:<id>`: another device of the user read up to here.
struct ReadPositionMoved: HubEvent {
    typealias Module = ChatModule
    static let name = "read"
    var room: String
    var lastReadSeq: Int64
}

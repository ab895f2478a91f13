import HubKernel

/// `chat.room {room}` on `user:<id>`: someone else made the user a member of a private room or
/// opened a DM with them. The user is not subscribed to a room they did not join, so without
/// this their room list would only learn of it on its next reload.
struct RoomAdded: HubEvent {
    typealias Module = ChatModule
    static let name = "room"
    var room: RoomView
}

import Hummingbird
import HubKernel

/// `GET /chat/rooms/{room}/messages?before=&limit=`: history over HTTP, same rules as
/// `chat.history`.
struct ChatRoutes {
    let store: ChatStore
    let configuration: ChatConfiguration
    let authenticator: Authenticator

    var collection: RouteCollection<HubRequestContext> {
        let routes = RouteCollection(context: HubRequestContext.self)
        routes.get("rooms/:room/messages") { request, context -> Response in
            let identity = try await authenticator.identity(for: request, role: .user)
            let room = context.parameters.get("room") ?? ""
            try RoomName.validateAny(room)
            let before = request.uri.queryParameters.get("before")
            let limit = request.uri.queryParameters.get("limit")
            try History.Payload(room: room, before: before, limit: limit.map { Int($0) ?? 0 }).validate()
            _ = try await store.readable(room, by: identity)
            let page = try await History.page(store: store, room: room, before: before.flatMap { Int64($0) },
                                              limit: limit.flatMap { Int($0) } ?? configuration.historyPageSize)
            return try JSONResponse.make(page)
        }
        return routes
    }
}

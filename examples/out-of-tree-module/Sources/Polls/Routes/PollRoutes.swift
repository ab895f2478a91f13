import Hummingbird
import HubKernel

/// `GET /poll/polls/{id}`: a poll's current tally over HTTP (any signed-in caller).
struct PollRoutes {
    let store: PollStore
    let authenticator: Authenticator

    var collection: RouteCollection<HubRequestContext> {
        let routes = RouteCollection(context: HubRequestContext.self)
        routes.get("polls/:id") { request, context -> Response in
            _ = try await authenticator.identity(for: request)
            let id = context.parameters.get("id") ?? ""
            guard let poll = try await store.poll(id: id) else { throw HubError.notFound("no poll '\(id)'") }
            struct Body: Encodable { var poll: PollView }
            return try JSONResponse.make(Body(poll: poll))
        }
        return routes
    }
}

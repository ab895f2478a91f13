public import Foundation

/// One entry of the route table: a command type and how to run it.
public struct Route: Sendable {
    /// The command's type.
    public let type: CommandType
    /// The module that owns it (`hub` for kernel commands).
    public let module: String
    /// The least role that may send it.
    public let role: Role
    /// The effective rate limit (the handler's, or the configured override).
    public let rateLimit: RateLimit
    /// Decodes the `data` bytes (`nil` is `{}`), validates, handles and encodes; a `nil`
    /// result means the handler replied itself.
    let invoke: @Sendable (Data?, CommandContext) async throws -> Data?
}

/// Marks a reply the handler already wrote to the connection (e.g. `hub.subscribe`, whose
/// reply must be queued under the topic's lock).
struct ReplySentDirectly: Encodable, Sendable {
    func encode(to encoder: any Encoder) throws {}
}

/// The immutable map from command type to route, built once at start-up.
public struct RouteTable: Sendable {
    /// Every route, by type.
    public let routes: [String: Route]

    /// Builds the table.
    /// - Parameters:
    ///   - handlers: each module's handlers, keyed by module name, in catalog order.
    ///   - overrides: the configured rate limit for a type, if any.
    /// - Throws: ``RouteConflict`` when two handlers claim one type, ``InvalidRoute`` when a
    ///   type is outside its module's namespace.
    public static func build(
        _ handlers: [(module: String, handlers: [any CommandHandler])],
        overrides: (CommandType, RateLimit) -> RateLimit
    ) throws -> RouteTable {
        var routes: [String: Route] = [:]
        for (module, list) in handlers {
            for handler in list {
                let route = makeRoute(handler, module: module, overrides: overrides)
                guard route.type.module == module, !route.type.action.isEmpty else {
                    throw InvalidRoute(type: route.type.rawValue, module: module)
                }
                if let existing = routes[route.type.rawValue] {
                    throw RouteConflict(type: route.type.rawValue, modules: [existing.module, module])
                }
                routes[route.type.rawValue] = route
            }
        }
        return RouteTable(routes: routes)
    }

    private static func makeRoute<H: CommandHandler>(_ handler: H, module: String, overrides: (CommandType, RateLimit) -> RateLimit) -> Route {
        let decoder = JSONDecoder()
        let encoder = JSONEncoder()
        // decided once per route, so the other routes pay no cast per command
        let mayBePreEncoded = H.Reply.self is any PreEncodedReply.Type
        return Route(
            type: H.type, module: module, role: H.role, rateLimit: overrides(H.type, H.rateLimit),
            invoke: { data, context in
                let payload = try PayloadDecoder.decode(H.Payload.self, data: data, decoder: decoder)
                if let validatable = payload as? any Validatable {
                    try validatable.validate()
                }
                let reply = try await handler.handle(payload, context: context)
                if reply is ReplySentDirectly { return nil }
                if mayBePreEncoded, let json = (reply as? any PreEncodedReply)?.json { return json }
                return try encoder.encode(reply)
            })
    }

    /// The route for `type`.
    public subscript(type: String) -> Route? { routes[type] }

    /// Every route sorted by type, for `switchboard routes`.
    public var sorted: [Route] { routes.values.sorted { $0.type.rawValue < $1.type.rawValue } }
}

/// Start-up error: two modules claim one command type.
public struct RouteConflict: Error, CustomStringConvertible {
    /// The command type.
    public var type: String
    /// The two modules that claim it.
    public var modules: [String]
    /// One sentence for the start-up error.
    public var description: String { "command type '\(type)' is claimed by both '\(modules[0])' and '\(modules[1])'" }
}

/// Start-up error: a handler's type is not `<module>.<action>` of its own module.
public struct InvalidRoute: Error, CustomStringConvertible {
    /// The command type.
    public var type: String
    /// The module that declared it.
    public var module: String
    /// One sentence for the start-up error.
    public var description: String { "module '\(module)' declares command '\(type)', which is outside its '\(module).' namespace" }
}

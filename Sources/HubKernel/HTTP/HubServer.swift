public import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// The HTTP and WebSocket server of a hub: kernel routes, module routes under `/<name>`,
/// and the `/ws` upgrade that admits connections before upgrading.
public enum HubServer {
    /// Builds the application. `onListening` receives the bound host and port (port 0 binds
    /// an ephemeral port, which is what tests use).
    public static func makeApplication(
        hub: Hub,
        onListening: @escaping @Sendable (String, Int) async -> Void = { _, _ in }
    ) -> some ApplicationProtocol {
        let router = Router(context: HubRequestContext.self)
        router.middlewares.add(HTTPErrorMiddleware(hub: hub))
        KernelRoutes(hub: hub).register(on: router)
        for module in hub.modules {
            let name = moduleName(of: module)
            router.group(RouterPath(stringLiteral: name))
                .add(middleware: FeatureGate(module: name, flags: hub.flags))
                .addRoutes(module.routes)
        }

        let settings = hub.settings
        let server = HTTPServerBuilder { responder in
            HubChannel(responder: responder, hub: hub, closeTimeout: .seconds(5), idleTimeout: .seconds(75))
        }
        return Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? settings.port
                hub.logger.notice("listening on http://\(settings.host):\(port)")
                await onListening(settings.host, port)
            },
            logger: hub.logger)
    }
}

/// Answers a switched-off module's HTTP routes with `feature_disabled` (503).
struct FeatureGate: RouterMiddleware {
    typealias Context = HubRequestContext
    let module: String
    let flags: FeatureFlags

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard flags.isEnabled(module) else { throw HubError.featureDisabled(module) }
        return try await next(request, context)
    }
}

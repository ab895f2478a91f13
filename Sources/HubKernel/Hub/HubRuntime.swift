public import Logging
public import ServiceLifecycle
public import UnixSignals
import Hummingbird

/// Runs a built hub: its HTTP/WebSocket server, the modules' services and the kernel's,
/// in one service group with graceful shutdown.
///
/// Services stop in reverse order of this list: first the drain (sockets get `hub.shutdown`
/// and 1012 while the server still runs), then kernel and module services, then the server.
public enum HubRuntime {
    /// Serves `hub` until a signal in `gracefulShutdownSignals` (or cancellation).
    public static func run(
        hub: Hub,
        gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint],
        onListening: @escaping @Sendable (String, Int) async -> Void = { _, _ in }
    ) async throws {
        try await hub.joinCluster()
        let application = HubServer.makeApplication(hub: hub, onListening: onListening)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: application)]
        for module in hub.modules {
            for service in module.services {
                // a module service that ends, or fails, takes the node down instead of vanishing
                services.append(.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup,
                                      failureTerminationBehavior: .gracefullyShutdownGroup))
            }
        }
        services.append(.init(service: ConnectionSupervisor(hub: hub)))
        services.append(.init(service: BusRelay(hub: hub)))
        // losing this node's name to another node stops this one
        services.append(.init(service: ClusterMembership(hub: hub), successTerminationBehavior: .ignore,
                              failureTerminationBehavior: .gracefullyShutdownGroup))
        services.append(.init(service: DrainOnShutdown(hub: hub)))
        var configuration = ServiceGroupConfiguration(services: services, logger: hub.logger)
        configuration.gracefulShutdownSignals = gracefulShutdownSignals
        configuration.maximumGracefulShutdownDuration = .seconds(25)
        try await ServiceGroup(configuration: configuration).run()
    }
}

import Logging
public import ServiceLifecycle

/// Periodic kernel housekeeping: token-expiry warnings and closes (every 250 ms) and the
/// sweep of idle topics (every 30 s).
public struct ConnectionSupervisor: Service {
    let hub: Hub
    /// The service for `hub`.
    public init(hub: Hub) { self.hub = hub }

    /// Runs until graceful shutdown.
    public func run() async throws {
        // on graceful shutdown the loop is cancelled; ending quietly is the expected outcome
        try? await cancelWhenGracefulShutdown {
            var ticks = 0
            while !Task.isCancelled {
                try await Task.sleep(for: .milliseconds(250))
                hub.superviseTokens()
                ticks += 1
                if ticks % 120 == 0 { hub.topics.sweep(idleMs: Int64(hub.settings.topicIdleMs)) }
            }
        }
    }
}

/// Relays events and flag changes between this node and the bus.
public struct BusRelay: Service {
    let hub: Hub
    /// The service for `hub`.
    public init(hub: Hub) { self.hub = hub }

    /// Runs until graceful shutdown.
    public func run() async throws {
        guard let bus = hub.bus else { return try await gracefulShutdown() }
        let inbound = try await bus.messages(for: hub.node)
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                if let outbound = hub.busOutbound {
                    group.addTask {
                        for await message in outbound {
                            do { try await bus.publish(message) } catch {
                                hub.logger.warning("bus publish failed", metadata: ["error": .string(String(describing: error))])
                            }
                        }
                    }
                }
                group.addTask {
                    for await message in inbound { hub.apply(message) }
                }
                await group.waitForAll()
            }
        }
    }
}

/// Cluster mode: listens to the other nodes, keeps this node's row fresh and repairs gaps
/// (``ClusterBus``); on shutdown it leaves the cluster. Ends at once on a single node.
public struct ClusterMembership: Service {
    let hub: Hub
    /// The service for `hub`.
    public init(hub: Hub) { self.hub = hub }

    /// Runs until graceful shutdown. - Throws: when another node took this node's name.
    public func run() async throws {
        guard let cluster = hub.cluster else { return }
        do {
            try await cancelWhenGracefulShutdown { try await cluster.run(hub: hub) }
        } catch is CancellationError {
            // graceful shutdown
        } catch let error as NodeNameTaken {
            await cluster.leave()
            throw error
        }
        await cluster.leave()
    }
}

/// Waits for the shutdown signal, then drains the hub before the HTTP server stops.
///
/// - Important: list it after the HTTP application in the service group: the group shuts
///   services down in reverse order, so the drain runs while the server still serves.
public struct DrainOnShutdown: Service {
    let hub: Hub
    /// The service for `hub`.
    public init(hub: Hub) { self.hub = hub }

    /// Runs until graceful shutdown.
    public func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            // cancelled rather than asked to shut down: nothing left to drain gracefully
            return
        }
        await hub.drain()
    }
}

import Foundation
import Synchronization
import Logging

extension Hub {
    // MARK: feature flags

    /// Switches a loaded module on or off, persists it, tells every connection (`hub.feature`)
    /// and the other nodes.
    /// - Throws: `not_found` when the module is not loaded.
    public func setFeature(_ module: String, enabled: Bool, by userID: String?) async throws {
        guard flags.loaded.contains(module) else { throw HubError.notFound("module '\(module)' is not loaded") }
        let changed = try await flags.set(module, enabled: enabled, by: userID, database: database, nowMs: clock.nowMs())
        logger.notice("feature flag set", metadata: ["sb.module": .string(module), "enabled": .stringConvertible(enabled)])
        if changed { announceFeature(module, enabled: enabled) }
        if let cluster {
            do {
                try await cluster.announce(.feature(origin: node, module: module, enabled: enabled))
            } catch {
                // stored: the other nodes read it when their listener next (re)connects
                logger.warning("feature flag stored but not announced to other nodes", metadata: [
                    "sb.module": .string(module), "error": .string(String(describing: error)),
                ])
            }
        }
        if let bus {
            do {
                try await bus.publish(BusMessage(origin: node, kind: .feature(module: module, enabled: enabled)))
            } catch {
                // the flag is stored: other nodes read it at their next start; say they may lag until then
                logger.warning("feature flag stored but not announced to other nodes", metadata: [
                    "sb.module": .string(module), "error": .string(String(describing: error)),
                ])
            }
        }
    }

    private struct FeatureEvent: Encodable { var module: String; var enabled: Bool }

    func announceFeature(_ module: String, enabled: Bool) {
        broadcast("hub.feature", FeatureEvent(module: module, enabled: enabled))
    }

    /// Applies what another node sent.
    func apply(_ message: BusMessage) {
        guard message.origin != node else { return }
        switch message.kind {
        case .event(let type, let topic, let payload, let sequenced):
            guard flags.isEnabled(Topic(unchecked: topic).module) else { return }
            publisher.deliver(type: type, topic: topic, payload: payload, sequenced: sequenced)
        case .feature(let module, let enabled):
            if flags.apply(module, enabled: enabled) { announceFeature(module, enabled: enabled) }
        }
    }

    // MARK: readiness and draining

    /// Readiness: `nil` when ready, else the failing part (`draining`, `database`, or in
    /// cluster mode `bus` while this node cannot hear the others).
    public func readinessProblem() async -> String? {
        if isDraining { return "draining" }
        if await !database.ping() { return "database" }
        if let cluster, !cluster.isListening { return "bus" }
        return nil
    }

    /// The live nodes of the cluster with the jobs each leads; a single node lists itself.
    public func clusterNodes() async throws -> [ClusterNode] {
        if let cluster { return try await cluster.liveNodes() }
        let now = clock.nowMs()
        return [ClusterNode(name: node, startedAt: startedAtMs, lastSeenAt: now, connections: openConnections.count,
                            leaderOf: leadership.ledJobs)]
    }

    private struct Shutdown: Encodable { var reconnectAfterMs: Int }

    /// Drains the node: readiness turns 503, every socket gets `hub.shutdown`, in-flight
    /// commands finish (up to the grace period), then every socket is closed with 1012.
    public func drain() async {
        guard !connections.draining.exchange(true, ordering: .relaxed) else { return }
        logger.notice("draining connections", metadata: ["connections": .stringConvertible(openConnections.count)])
        broadcast("hub.shutdown", Shutdown(reconnectAfterMs: settings.shutdownReconnectAfterMs))
        let deadline = ContinuousClock.now + .milliseconds(settings.shutdownGraceMs)
        while pipeline.inFlight.load(ordering: .relaxed) > 0, ContinuousClock.now < deadline {
            do { try await Task.sleep(for: .milliseconds(20)) } catch { break }
        }
        for connection in openConnections { connection.outbound.close(.serviceRestart, reason: "service restart") }
        while !openConnections.isEmpty, ContinuousClock.now < deadline + .seconds(5) {
            do { try await Task.sleep(for: .milliseconds(20)) } catch { break }
        }
    }
}

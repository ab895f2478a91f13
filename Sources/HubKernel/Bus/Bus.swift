public import Foundation

/// Carries what one node must tell the others: published events and feature-flag changes.
///
/// A single node needs no bus. ``MemoryBus`` joins single-node hubs in one process (tests of
/// what crosses nodes without a database). Cluster mode does not use this protocol: there
/// the database numbers every event and PostgreSQL NOTIFY carries it (`ClusterBus`). Modules
/// never see either: they publish through their ``EventPublisher`` and the hub forwards.
public protocol Bus: Sendable {
    /// Sends `message` to every other node. Delivery is at most once, in order per sender.
    func publish(_ message: BusMessage) async throws
    /// The messages other nodes send, for the node named `node`.
    func messages(for node: String) async throws -> AsyncStream<BusMessage>
}

/// One message between nodes.
public struct BusMessage: Sendable, Codable, Equatable {
    /// What happened.
    public enum Kind: Sendable, Codable, Equatable {
        /// An event published on a topic (`payload` is the encoded `data`).
        case event(type: String, topic: String, payload: Data, sequenced: Bool)
        /// An operator switched a module on or off.
        case feature(module: String, enabled: Bool)
    }

    /// The node that sent it.
    public var origin: String
    /// What happened.
    public var kind: Kind

    /// A message from node `origin`.
    public init(origin: String, kind: Kind) {
        self.origin = origin
        self.kind = kind
    }
}

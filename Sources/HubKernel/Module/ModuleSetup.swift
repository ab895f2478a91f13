public import Configuration
public import Logging

/// What a module receives at construction: its configuration, the shared parts of the hub,
/// and the capability registry.
///
/// The configuration is already scoped to `modules.<name>`: a module reads
/// `config.int(forKey: "editWindowSeconds", default: 900)`, which is the environment
/// variable `MODULES_CHAT_EDIT_WINDOW_SECONDS`.
public struct ModuleSetup: Sendable {
    /// The module's name.
    public let name: ModuleName
    /// The module's settings, scoped to `modules.<name>`.
    public let config: ConfigReader
    /// The hub's database.
    public let database: Database
    /// The hub's clock.
    public let clock: any HubClock
    /// A logger labelled with the module's name.
    public let logger: Logger
    /// Runs once-per-cluster work.
    public let leadership: any Leadership
    /// Authenticates the module's HTTP requests.
    public let authenticator: Authenticator
    /// Asks the running hub: other modules' topic rules, events to one connection.
    public let hub: HubAccess
    /// This node's name.
    public let node: String
    /// Counters of this module on `/metrics`.
    public let metrics: ModuleMetrics
    /// The hub's accounts (ids, usernames, display names, roles): what modules read instead
    /// of querying the kernel's tables.
    public let users: any UserDirectory
    let capabilities: CapabilityRegistry
    let flags: FeatureFlags
    let publisher: HubPublisher

    /// Whether this node is one of a cluster (several nodes on one PostgreSQL database):
    /// state a module keeps in memory is then this node's alone, so what users must see the
    /// same on every node (presence) lives in the database instead.
    public var isClustered: Bool { publisher.cluster != nil }

    /// This module's event publisher, for its handlers and services.
    ///
    /// ```swift
    /// events = try setup.events(for: ChatModule.self)
    /// ```
    /// - Throws: ``ConfigurationError`` at start-up when `module` is not the module being
    ///   built (a module publishes only its own events; modules cannot name each other's
    ///   types anyway, since they never import one another).
    public func events<Module: HubModule>(for module: Module.Type) throws -> EventPublisher<Module> {
        guard Module.name == name else {
            throw ConfigurationError("module '\(name)' asked for the event publisher of '\(Module.name)'; a module publishes only its own events")
        }
        return EventPublisher(base: publisher)
    }

    /// Offers `value` to other modules under the protocol type `type`, spelled as the
    /// existential everywhere: `try setup.provide((any Notifier).self, notifier)`. The value
    /// must be a `T`, so a wrong value is a compile error, not a capability that resolves to nil.
    /// - Throws: ``DuplicateCapability`` when another module already provides it.
    public func provide<T: Sendable>(_ type: T.Type, _ value: T) throws {
        try capabilities.provide(type, value, by: name.rawValue)
    }

    /// A capability another module may provide: `value` is `nil` when no loaded module does.
    public func capability<T: Sendable>(_ type: T.Type) -> Capability<T> {
        Capability(registry: capabilities)
    }

    /// A capability this module cannot work without: start-up fails (``MissingCapability``,
    /// naming this module) when no loaded module provides it, so its `value` is never missing.
    public func requireCapability<T: Sendable>(_ type: T.Type) -> RequiredCapability<T> {
        capabilities.require(type, by: name.rawValue)
        return RequiredCapability(registry: capabilities)
    }

    /// Whether this module is switched on right now (for capabilities it provides).
    public var isEnabled: Bool { flags.isEnabled(name.rawValue) }

    /// Whether the module named `module` is switched on right now.
    public func isEnabled(_ module: String) -> Bool { flags.isEnabled(module) }
}

import Synchronization

/// Services that modules offer each other without importing each other.
///
/// Keys are protocol types. A module provides a value in `init(setup:)`; another module asks
/// for a ``Capability`` handle, which resolves once all modules are initialised. A capability
/// declared as required but provided by no loaded module fails start-up with
/// ``MissingCapability`` naming the module that needed it.
public final class CapabilityRegistry: Sendable {
    private struct State {
        var values: [ObjectIdentifier: any Sendable] = [:]
        var providers: [ObjectIdentifier: String] = [:]
        var required: [(key: ObjectIdentifier, name: String, module: String)] = []
        var sealed = false
    }
    private let state = Mutex(State())

    /// An empty registry (the hub builds one).
    public init() {}

    func provide<T: Sendable>(_ type: T.Type, _ value: T, by module: String) throws {
        try state.withLock { state in
            let key = ObjectIdentifier(type)
            if let existing = state.providers[key] {
                throw DuplicateCapability(capability: String(describing: type), modules: [existing, module])
            }
            state.values[key] = value
            state.providers[key] = module
        }
    }

    func require<T>(_ type: T.Type, by module: String) {
        state.withLock { $0.required.append((ObjectIdentifier(type), String(describing: type), module)) }
    }

    /// Checks required capabilities and freezes the registry.
    func seal() throws {
        try state.withLock { state in
            state.sealed = true
            if let missing = state.required.first(where: { state.values[$0.key] == nil }) {
                throw MissingCapability(capability: missing.name, module: missing.module)
            }
        }
    }

    /// The provided value for `type`, if a loaded module provides it.
    public func resolve<T>(_ type: T.Type) -> T? {
        state.withLock { $0.values[ObjectIdentifier(type)] as? T }
    }

    /// Which module provides `type`.
    public func provider<T>(of type: T.Type) -> String? {
        state.withLock { $0.providers[ObjectIdentifier(type)] }
    }
}

/// A lazily resolved, optional capability (``ModuleSetup/capability(_:)``).
public struct Capability<T: Sendable>: Sendable {
    let registry: CapabilityRegistry
    /// The capability, or `nil` when its module is not loaded.
    public var value: T? { registry.resolve(T.self) }
}

/// A capability the module declared it cannot work without
/// (``ModuleSetup/requireCapability(_:)``). Start-up fails unless a loaded module provides
/// it, so once the hub runs ``value`` is always there.
public struct RequiredCapability<T: Sendable>: Sendable {
    let registry: CapabilityRegistry
    /// The capability. Available once every module is built: read it from handlers and
    /// services, not in `init(setup:)` (its provider may be built later).
    public var value: T {
        guard let value = registry.resolve(T.self) else {
            preconditionFailure("required capability \(T.self) read before start-up finished resolving it")
        }
        return value
    }
}

/// Start-up error: a module needs a capability that no loaded module provides.
public struct MissingCapability: Error, CustomStringConvertible {
    /// The capability's protocol type.
    public var capability: String
    /// The module that required it.
    public var module: String
    /// One sentence for the start-up error.
    public var description: String { "module '\(module)' requires capability \(capability), which no loaded module provides" }
}

/// Start-up error: two modules provide the same capability.
public struct DuplicateCapability: Error, CustomStringConvertible {
    /// The capability's protocol type.
    public var capability: String
    /// The two modules that provide it.
    public var modules: [String]
    /// One sentence for the start-up error.
    public var description: String { "capability \(capability) is provided by both '\(modules[0])' and '\(modules[1])'" }
}

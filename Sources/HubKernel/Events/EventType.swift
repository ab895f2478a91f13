/// The wire name of an event: `<module>.<name>`, e.g. `chat.message`, `tickets.sla_warning`.
///
/// Event names are nouns or past-tense verbs of what happened (`chat.message`, `chat.edited`,
/// `presence.diff`), never commands (docs/protocol.md). A module's events get their prefix
/// from the module's type (``HubEvent/Module``), so they cannot be mis-prefixed.
public struct EventType: Sendable, Hashable, CustomStringConvertible {
    /// The full name as it appears on the wire.
    public let rawValue: String

    /// `<module>.<name>`.
    public init(module: ModuleName, name: String) { rawValue = "\(module.rawValue).\(name)" }

    /// The kernel's own events (`hub.welcome`, `hub.feature`, …).
    init(kernel name: String) { rawValue = "hub.\(name)" }

    /// The owning module's name.
    public var module: String { String(rawValue.prefix { $0 != "." }) }
    public var description: String { rawValue }

    /// Whether `name` (the part after the module prefix) is well formed: ASCII letters,
    /// digits and `_`, starting with a lowercase letter, at most 64 bytes (`sla_breached`, and
    /// the lowerCamel names modules.md pins, such as `chsh.roundComplete`).
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first), name.utf8.count <= 64 else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }
}

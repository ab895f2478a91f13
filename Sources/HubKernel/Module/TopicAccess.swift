/// A module's answer to "may this identity subscribe to this topic?", as the protocol maps
/// it: ``allow``, ``deny(_:)`` (`forbidden`) or ``notFound(_:)`` (`not_found`).
///
/// A result instead of a `Bool`, so that "no such topic" and "not yours" are distinct answers
/// and no module has to throw to say one of them. Throw only when the question cannot be
/// answered (the database failed).
public enum TopicAccess: Sendable, Equatable {
    /// The identity may subscribe.
    case allow
    /// The topic exists, and this identity may not subscribe: `forbidden` with this message.
    case deny(String)
    /// No such topic, or one this identity may not learn exists: `not_found` with this message.
    case notFound(String)

    /// Returns on ``allow``; throws what the protocol answers otherwise: `forbidden` for
    /// ``deny(_:)``, `not_found` for ``notFound(_:)``, each with the module's message.
    public func require() throws(HubError) {
        switch self {
        case .allow: return
        case .deny(let reason): throw .forbidden(reason)
        case .notFound(let reason): throw .notFound(reason)
        }
    }

    /// ``allow`` when `condition` holds, else ``deny(_:)`` with `reason`.
    public static func allow(if condition: Bool, else reason: String) -> TopicAccess {
        condition ? .allow : .deny(reason)
    }
}

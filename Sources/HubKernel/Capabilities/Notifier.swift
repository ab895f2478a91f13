/// Lets any module notify users (persisted, then delivered live) without importing the
/// notifications module, which provides it.
///
/// ```swift
/// if let notifier = notifierCapability.value {
///     let outcome = try await notifier.notify(.init(userIDs: [assignee], category: .warning,
///                                                    title: "SLA breached", source: "tickets"))
/// }
/// ```
/// When the providing module is not loaded, the capability is `nil`; when it is switched
/// off, ``notify(_:)`` returns ``NotifyOutcome/skipped(reason:)``. Callers can tell both.
public protocol Notifier: Sendable {
    /// Stores one notification per recipient and delivers it to their connections.
    func notify(_ notification: OutgoingNotification) async throws -> NotifyOutcome
}

/// A notification to send.
public struct OutgoingNotification: Sendable, Equatable {
    /// Severity, shown by clients.
    public enum Category: String, Sendable, Codable, CaseIterable { case info, success, warning, error }

    /// Who receives it (duplicates are sent once).
    public var userIDs: [String]
    /// How clients show it.
    public var category: Category
    /// One line, 1–200 characters.
    public var title: String
    /// Optional detail, up to 2000 characters.
    public var body: String
    /// A relative link into the app (`/tickets/…`), if any.
    public var link: String?
    /// The module that sends it (`tickets`).
    public var source: String

    /// A notification to send.
    public init(userIDs: [String], category: Category, title: String, body: String = "", link: String? = nil, source: String) {
        self.userIDs = userIDs
        self.category = category
        self.title = title
        self.body = body
        self.link = link
        self.source = source
    }
}

/// What became of a notification.
public enum NotifyOutcome: Sendable, Equatable {
    /// Stored (and delivered to whoever is connected), one id per recipient.
    case stored(ids: [String])
    /// Not stored: the providing module is switched off, or there were no recipients.
    case skipped(reason: String)
}

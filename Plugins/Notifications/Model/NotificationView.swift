/// A notification as its recipient sees it.
public struct NotificationView: Codable, Sendable, Equatable {
    public var id: String
    public var category: String
    public var title: String
    public var body: String
    public var link: String?
    public var source: String
    public var createdAt: Int64
    public var readAt: Int64?
}

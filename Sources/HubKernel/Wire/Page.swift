/// One page of a list that can grow (protocol.md): `{"items": […], "nextCursor": "…" | null}`.
///
/// `nextCursor` is always present, `null` on the last page; pass it back as `before` for the
/// next one.
public struct Page<Item: Encodable & Sendable>: Encodable, Sendable {
    /// The page's items, in the order the command documents.
    public var items: [Item]
    /// Where the next page starts (`before`), `nil` on the last page.
    public var nextCursor: String?

    /// A page of `items`, followed by the page at `nextCursor`.
    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }

    enum CodingKeys: String, CodingKey { case items, nextCursor }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encode(nextCursor, forKey: .nextCursor)  // null, not absent, on the last page
    }
}

public import Configuration
public import HubKernel

/// The chat module's settings, under `modules.chat.*`.
public struct ChatConfiguration: Sendable {
    /// How long after sending an author may edit a message.
    public var editWindowSeconds: Int
    /// How long a typing indicator lasts without renewal.
    public var typingTtlMs: Int
    /// History page size when the client gives no `limit`.
    public var historyPageSize: Int
    /// Longest message, in user-perceived characters.
    public var maxTextLength: Int

    /// - `editWindowSeconds` (int, optional, default: 900): `MODULES_CHAT_EDIT_WINDOW_SECONDS`.
    /// - `typingTtlMs` (int, optional, default: 5000): `MODULES_CHAT_TYPING_TTL_MS`.
    /// - `historyPageSize` (int, optional, default: 50): `MODULES_CHAT_HISTORY_PAGE_SIZE`, 1…100.
    /// - `maxTextLength` (int, optional, default: 4000): `MODULES_CHAT_MAX_TEXT_LENGTH`.
    public init(config: ConfigReader, editWindowSeconds: Int = 900, typingTtlMs: Int = 5000,
                historyPageSize: Int = 50, maxTextLength: Int = 4000) throws {
        self.editWindowSeconds = config.int(forKey: "editWindowSeconds", default: editWindowSeconds)
        self.typingTtlMs = config.int(forKey: "typingTtlMs", default: typingTtlMs)
        self.historyPageSize = config.int(forKey: "historyPageSize", default: historyPageSize)
        self.maxTextLength = config.int(forKey: "maxTextLength", default: maxTextLength)
        guard self.editWindowSeconds >= 0 else { throw ConfigurationError("MODULES_CHAT_EDIT_WINDOW_SECONDS must be ≥ 0") }
        guard self.typingTtlMs >= 100 else { throw ConfigurationError("MODULES_CHAT_TYPING_TTL_MS must be ≥ 100") }
        guard (1...100).contains(self.historyPageSize) else { throw ConfigurationError("MODULES_CHAT_HISTORY_PAGE_SIZE must be 1 to 100") }
        guard (1...100_000).contains(self.maxTextLength) else { throw ConfigurationError("MODULES_CHAT_MAX_TEXT_LENGTH must be 1 to 100000") }
    }
}

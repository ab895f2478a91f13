public import Configuration
public import HubKernel

/// The poll module's settings, under `modules.poll.*`.
public struct PollConfiguration: Sendable {
    /// Most options a poll may offer.
    public var maxOptions: Int
    /// Longest question, in characters.
    public var maxQuestionLength: Int

    /// - `maxOptions` (int, optional, default: 10): `MODULES_POLL_MAX_OPTIONS`, 2…50.
    /// - `maxQuestionLength` (int, optional, default: 300): `MODULES_POLL_MAX_QUESTION_LENGTH`.
    public init(config: ConfigReader, maxOptions: Int = 10, maxQuestionLength: Int = 300) throws {
        self.maxOptions = config.int(forKey: "maxOptions", default: maxOptions)
        self.maxQuestionLength = config.int(forKey: "maxQuestionLength", default: maxQuestionLength)
        guard (2...50).contains(self.maxOptions) else {
            throw ConfigurationError("MODULES_POLL_MAX_OPTIONS must be between 2 and 50")
        }
        guard (1...4000).contains(self.maxQuestionLength) else {
            throw ConfigurationError("MODULES_POLL_MAX_QUESTION_LENGTH must be between 1 and 4000")
        }
    }
}

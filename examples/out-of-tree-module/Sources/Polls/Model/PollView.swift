/// A poll as clients see it: the question, each option with its vote count, and whether
/// voting has closed.
public struct PollView: Codable, Sendable, Equatable {
    public struct Option: Codable, Sendable, Equatable {
        public var index: Int
        public var text: String
        public var votes: Int
    }
    public var id: String
    public var question: String
    public var options: [Option]
    public var createdBy: String
    public var createdAt: Int64
    public var closed: Bool
    public var totalVotes: Int { options.reduce(0) { $0 + $1.votes } }
}

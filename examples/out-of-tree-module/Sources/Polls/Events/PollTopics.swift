import HubKernel

/// The poll module's topics, built in one place.
enum PollTopics {
    /// `poll:<id>`: one poll's tallies and its closing.
    static func poll(_ id: String) -> ModuleTopic<PollModule> { ModuleTopic(id) }
}

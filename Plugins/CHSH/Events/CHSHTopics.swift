import HubKernel

/// The CHSH module's topics, built in one place.
enum CHSHTopics {
    /// `chsh:<gameId>`: the game's state and its teams, for its players and host.
    static func game(_ gameID: String) -> ModuleTopic<CHSHModule> { ModuleTopic(gameID) }
    /// `chsh:<gameId>:dashboard`: the host's live statistics.
    static func dashboard(_ gameID: String) -> ModuleTopic<CHSHModule> { ModuleTopic("\(gameID):dashboard") }
}

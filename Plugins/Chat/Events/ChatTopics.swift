import HubKernel

/// The chat module's topics, built in one place.
enum ChatTopics {
    /// `chat:<room>`: a room's messages, edits, deletions and typing indicators.
    static func room(_ name: String) -> ModuleTopic<ChatModule> { ModuleTopic(name) }
}

import HubKernel

/// The betting module's topics, built in one place.
enum BettingTopics {
    /// `betting:<table>`: the table's rounds as they open, lock, settle or are voided.
    static func table(_ name: String) -> ModuleTopic<BettingModule> { ModuleTopic(name) }
}

import Betting
import CHSH
import Chat
import HubKernel
import Notifications
import Polls
import Presence
import Tickets

/// Every module this build of Switchboard can load, in load order: the one list where
/// modules are composed. Adding a module is one line here; `MODULES_ENABLED` picks which
/// of these load.
enum Catalog {
    static let modules: [any HubModule.Type] = [
        ChatModule.self,
        PresenceModule.self,
        NotificationsModule.self,
        TicketsModule.self,
        BettingModule.self,
        CHSHModule.self,
        PollModule.self,
        WebClientModule.self,
    ]
}

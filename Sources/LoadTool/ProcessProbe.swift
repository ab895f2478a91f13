#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// CPU and memory readings of the server (by pid), of this tool and of the whole machine,
/// from `/proc` and `getrusage`: what turns rates into cost per delivery.
struct ProcessProbe: Sendable {
    let serverPID: Int32?

    struct Sample: Sendable {
        var serverCPU: Double?
        var clientCPU: Double
        var machineBusy: Double
        var wall: UInt64
    }

    static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    func sample() -> Sample {
        Sample(serverCPU: serverPID.flatMap(Self.cpuSeconds(pid:)), clientCPU: Self.ownCPUSeconds(),
               machineBusy: Self.machineBusySeconds(), wall: LoadRun.now())
    }

    /// utime + stime of a process, seconds.
    static func cpuSeconds(pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / ticksPerSecond
    }

    /// VmRSS of a process, KiB.
    static func residentKiB(pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
        }
        return nil
    }

    static func ownCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// Busy CPU seconds of the whole machine (all cores), from the first line of /proc/stat.
    static func machineBusySeconds() -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = stat.split(separator: "\n").first else { return 0 }
        let values = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard values.count >= 5 else { return 0 }
        let total = values.prefix(8).reduce(0, +)
        return (total - values[3] - values[4]) / ticksPerSecond
    }

    /// Raises this process's open-file limit to its hard limit (10,000 sockets need it).
    static func raiseFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}

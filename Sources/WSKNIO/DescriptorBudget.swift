#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How many connections this process can hold: its open-file limit (`ulimit -n`) minus a
/// reserve. A process whose descriptor table is full cannot open anything, and Dispatch
/// (under Swift concurrency) aborts when its pool monitor cannot open /proc: servers and
/// load generators stop taking or opening connections at this number instead.
public enum DescriptorBudget {
    /// Descriptors kept free for everything that is not a connection: the event loops'
    /// epoll, eventfd and timerfd, stdio, logs, Dispatch's /proc reads, child processes.
    public static let reserve = 64

    /// The open-file limit (the soft one, which wsk raises to the hard one at start).
    public static var openFileLimit: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return limit.rlim_cur > rlim_t(Int32.max) ? Int(Int32.max) : Int(limit.rlim_cur)
    }

    /// The most connections to hold at once.
    public static var connections: Int { max(1, openFileLimit - reserve) }
}

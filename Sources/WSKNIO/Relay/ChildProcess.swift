#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import WSKCore

/// A program run for one relay (`/bin/sh -c COMMAND`), in its own process group, with
/// its stdin and stdout as a non-blocking NIO pipe channel and its stderr inherited.
///
/// Ending it: ``terminate(grace:)`` sends SIGTERM to the whole group, then SIGKILL after
/// the grace period. One thread per child waits for its exit (reaping it), so no child
/// outlives the relay as a zombie.
public final class ChildProcess: @unchecked Sendable {
    /// The child's process id (also its process group id).
    public let pid: pid_t
    /// The pipe channel: inbound is the child's stdout, outbound its stdin.
    public let channel: Channel
    let exit: EventLoopPromise<Int32>

    /// Why a program could not be started.
    public struct SpawnError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Starts `command` with `environment`; the handler `makeHandler` returns (given the
    /// future exit status) goes on the pipe channel.
    public static func spawn(
        command: String,
        environment: [String: String],
        eventLoop: EventLoop,
        makeHandler: (EventLoopFuture<Int32>) -> ChannelHandler & Sendable
    ) async throws -> ChildProcess {
        let (pid, childStdin, childStdout) = try start(command: command, environment: environment)
        let exit = eventLoop.makePromise(of: Int32.self)
        let reaped = NIOLockedValueBox(false)
        Self.reap(pid, reaped: reaped, into: exit)
        let handler = makeHandler(exit.futureResult)
        let channel: Channel
        do {
            channel = try await NIOPipeBootstrap(group: eventLoop)
                .channelOption(.allowRemoteHalfClosure, value: true)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler) }
                }
                .takingOwnershipOfDescriptors(input: childStdout, output: childStdin)
                .get()
        } catch {
            reaped.withLockedValue { reaped in
                if !reaped { kill(-pid, SIGKILL) }
            }
            throw SpawnError(description: "cannot attach to the program's pipes")
        }
        return ChildProcess(pid: pid, channel: channel, exit: exit, reaped: reaped)
    }

    /// Creates the pipes and spawns `/bin/sh -c command` in its own process group; returns
    /// its pid and this side's ends of its stdin and stdout. Synchronous, under a lock.
    static func start(command: String, environment: [String: String]) throws -> (pid: pid_t, stdin: Int32, stdout: Int32) {
        // A write to a program that exited must fail with EPIPE, not kill wsk.
        signal(SIGPIPE, SIG_IGN)
        var toChild: [Int32] = [0, 0]
        var fromChild: [Int32] = [0, 0]
        // Close-on-exec: no other program spawned meanwhile inherits these (a stdin pipe's
        // write end held by another child would keep this one from ever seeing EOF); the
        // dup2 below gives this child its own inheritable copies as fds 0 and 1.
        // (pipe2 is not visible from Swift: pipe, then FD_CLOEXEC, under one lock so that
        // two spawns cannot interleave.)
        spawnLock.lock()
        defer { spawnLock.unlock() }
        guard pipe(&toChild) == 0 else {
            throw SpawnError(description: "cannot create pipes for the program (too many open files?)")
        }
        guard pipe(&fromChild) == 0 else {
            close(toChild[0])
            close(toChild[1])
            throw SpawnError(description: "cannot create pipes for the program (too many open files?)")
        }
        for fd in toChild + fromChild { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group, so ending it reaches whatever it started; default signal
        // dispositions (wsk ignores SIGINT/SIGTERM itself, and SIGPIPE).
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGPIPE, SIGHUP] { sigaddset(&defaults, signal) }
        var noMask = sigset_t()
        sigemptyset(&noMask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &noMask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let arguments = ["/bin/sh", "-c", command]
        let environmentStrings = environment.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let status = withCStrings(arguments) { argv in
            withCStrings(environmentStrings) { envp in
                posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, envp)
            }
        }
        close(toChild[0])
        close(fromChild[1])
        guard status == 0 else {
            close(toChild[1])
            close(fromChild[0])
            throw SpawnError(description: "cannot start /bin/sh: \(String(cString: strerror(status)))")
        }
        return (pid, toChild[1], fromChild[0])
    }

    init(pid: pid_t, channel: Channel, exit: EventLoopPromise<Int32>, reaped: NIOLockedValueBox<Bool>) {
        self.pid = pid
        self.channel = channel
        self.exit = exit
        self.reaped = reaped
    }

    /// Whether the child has been reaped; signals go to its group only before that, under
    /// this lock, because afterwards its pid may belong to another process.
    let reaped: NIOLockedValueBox<Bool>

    func signalGroup(_ signal: Int32) {
        let pid = self.pid
        reaped.withLockedValue { reaped in
            if !reaped { kill(-pid, signal) }
        }
    }

    /// The exit status (128 + N for a signal), once the child is reaped.
    public var exitStatus: EventLoopFuture<Int32> { exit.futureResult }

    /// Ends the program: SIGTERM to its process group, then SIGKILL after `grace` unless
    /// it has exited.
    public func terminate(grace: TimeAmount) {
        channel.close(promise: nil)
        signalGroup(SIGTERM)
        let killer = channel.eventLoop.scheduleTask(in: grace) { [self] in signalGroup(SIGKILL) }
        exit.futureResult.whenComplete { _ in killer.cancel() }
    }

    /// Waits for the child on a thread of its own, then ends whatever it left in its
    /// process group and reaps it. The group is signalled while the leader is still a
    /// zombie (waitid with WNOWAIT), so its id cannot have been reused by an unrelated
    /// process (pids wrap around; killing a group after reaping its leader could hit one).
    static func reap(_ pid: pid_t, reaped: NIOLockedValueBox<Bool>, into exit: EventLoopPromise<Int32>) {
        let body = ThreadBody {
            var info = siginfo_t()
            while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
            var status: Int32 = 0
            reaped.withLockedValue { reaped in
                kill(-pid, SIGKILL)  // background processes the program left behind
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                reaped = true
            }
            let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            exit.succeed(code)
        }
        var thread = pthread_t()
        let argument = Unmanaged.passRetained(body).toOpaque()
        let created = pthread_create(&thread, nil, { argument in
            Unmanaged<ThreadBody>.fromOpaque(argument!).takeRetainedValue().run()
            return nil
        }, argument)
        if created == 0 {
            pthread_detach(thread)
        } else {
            Unmanaged<ThreadBody>.fromOpaque(argument).takeRetainedValue().run()  // no thread: wait here
        }
    }
}

final class ThreadBody {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}

/// Serialises pipe creation and spawning within this process.
let spawnLock = NIOLock()

/// Calls `body` with a NULL-terminated C array of the strings.
func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    var pointers = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return body(pointers)
}

# Shared by the benchmark scripts (sourced, not run).

# wait_for_port PORT: returns once something accepts on 127.0.0.1:PORT (5 s at most).
wait_for_port() {
    for _ in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}

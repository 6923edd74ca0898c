#!/bin/bash

__wsk_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__wsk_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__wsk_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__wsk_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_wsk() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __wsk_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    serve-echo|connect|proxy|bench|frame-dump|help)
        # Offer subcommand argument completions
        "_wsk_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'serve-echo connect proxy bench frame-dump help' -- "${cur}"))
        ;;
    esac
}

_wsk_serve-echo() {
    repeating_flags=()
    non_repeating_flags=(--broadcast --pubsub --exclude-sender --no-compression --server-no-context-takeover --client-no-context-takeover --http2 --no-http2 -v --verbose --version -h --help)
    repeating_options=(--subprotocol --allow-origin --require-header)
    non_repeating_options=(--host -p --port --threads --server-max-window-bits --client-max-window-bits --compression-level --max-message-size --max-frame-size --max-connections --handshake-timeout --idle-timeout --max-backpressure --tls-cert --tls-key --tls-client-ca --log-format)
    __wsk_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--host')
        return
        ;;
    '-p'|'--port')
        return
        ;;
    '--threads')
        return
        ;;
    '--subprotocol')
        return
        ;;
    '--server-max-window-bits')
        return
        ;;
    '--client-max-window-bits')
        return
        ;;
    '--compression-level')
        return
        ;;
    '--max-message-size')
        return
        ;;
    '--max-frame-size')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--handshake-timeout')
        return
        ;;
    '--idle-timeout')
        return
        ;;
    '--max-backpressure')
        return
        ;;
    '--allow-origin')
        return
        ;;
    '--require-header')
        return
        ;;
    '--tls-cert')
        __wsk_add_completions -f
        return
        ;;
    '--tls-key')
        __wsk_add_completions -f
        return
        ;;
    '--tls-client-ca')
        __wsk_add_completions -f
        return
        ;;
    '--log-format')
        __wsk_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac
}

_wsk_connect() {
    repeating_flags=()
    non_repeating_flags=(--no-compression --server-no-context-takeover --client-no-context-takeover --reconnect --no-proxy --http2 -k --insecure --binary -0 --null --base64 --hex --wait-for-close --echo --show-handshake --timestamps -v --verbose --interactive --no-interactive --jsonl --json-pretty --raw-output --color --no-color --keep-listening --version -h --help)
    repeating_options=(-H --header --subprotocol -x --execute)
    non_repeating_options=(--origin --auth --server-max-window-bits --client-max-window-bits --compression-level --connect-timeout --max-message-size --max-frame-size --ping-interval --ping-timeout --proxy --cacert --cert --key --tls-server-name --invalid-utf8 --exit-after --until --wait --listen --tls-cert --tls-key --tls-client-ca)
    __wsk_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-H'|'--header')
        return
        ;;
    '--subprotocol')
        return
        ;;
    '--origin')
        return
        ;;
    '--auth')
        return
        ;;
    '--server-max-window-bits')
        return
        ;;
    '--client-max-window-bits')
        return
        ;;
    '--compression-level')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--max-message-size')
        return
        ;;
    '--max-frame-size')
        return
        ;;
    '--ping-interval')
        return
        ;;
    '--ping-timeout')
        return
        ;;
    '--proxy')
        return
        ;;
    '--cacert')
        __wsk_add_completions -f
        return
        ;;
    '--cert')
        __wsk_add_completions -f
        return
        ;;
    '--key')
        __wsk_add_completions -f
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--invalid-utf8')
        __wsk_add_completions -W 'refuse'$'\n''binary'
        return
        ;;
    '-x'|'--execute')
        return
        ;;
    '--exit-after')
        return
        ;;
    '--until')
        return
        ;;
    '--wait')
        return
        ;;
    '--listen')
        return
        ;;
    '--tls-cert')
        __wsk_add_completions -f
        return
        ;;
    '--tls-key')
        __wsk_add_completions -f
        return
        ;;
    '--tls-client-ca')
        __wsk_add_completions -f
        return
        ;;
    esac
}

_wsk_proxy() {
    repeating_flags=()
    non_repeating_flags=(--exec-binary --no-compression --server-no-context-takeover --client-no-context-takeover --no-upstream-compression --http2 --no-http2 -k --insecure -v --verbose --version -h --help)
    repeating_options=(--forward-header -H --header --subprotocol --allow-origin --require-header)
    non_repeating_options=(--exec --kill-grace --upstream-proxy --host -p --port --threads --server-max-window-bits --client-max-window-bits --compression-level --max-message-size --max-frame-size --max-connections --handshake-timeout --idle-timeout --max-backpressure --tls-cert --tls-key --tls-client-ca --cacert --cert --key --tls-server-name --log-format)
    __wsk_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--exec')
        return
        ;;
    '--kill-grace')
        return
        ;;
    '--forward-header')
        return
        ;;
    '-H'|'--header')
        return
        ;;
    '--upstream-proxy')
        return
        ;;
    '--host')
        return
        ;;
    '-p'|'--port')
        return
        ;;
    '--threads')
        return
        ;;
    '--server-max-window-bits')
        return
        ;;
    '--client-max-window-bits')
        return
        ;;
    '--compression-level')
        return
        ;;
    '--subprotocol')
        return
        ;;
    '--max-message-size')
        return
        ;;
    '--max-frame-size')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--handshake-timeout')
        return
        ;;
    '--idle-timeout')
        return
        ;;
    '--max-backpressure')
        return
        ;;
    '--allow-origin')
        return
        ;;
    '--require-header')
        return
        ;;
    '--tls-cert')
        __wsk_add_completions -f
        return
        ;;
    '--tls-key')
        __wsk_add_completions -f
        return
        ;;
    '--tls-client-ca')
        __wsk_add_completions -f
        return
        ;;
    '--cacert')
        __wsk_add_completions -f
        return
        ;;
    '--cert')
        __wsk_add_completions -f
        return
        ;;
    '--key')
        __wsk_add_completions -f
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--log-format')
        __wsk_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac
}

_wsk_bench() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __wsk_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    run|merge)
        # Offer subcommand argument completions
        "_wsk_bench_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'run merge' -- "${cur}"))
        ;;
    esac
}

_wsk_bench_run() {
    repeating_flags=()
    non_repeating_flags=(--binary --compression --hold --http2 --json --verify --progress --no-progress -k --insecure --version -h --help)
    repeating_options=(--stage --threshold -H --header --subprotocol)
    non_repeating_options=(-c --connections -s --size -d --depth -r --rate -t --duration --warmup --connect-rate --ramp-up --message-rate-per-connection --ping-interval --channel-lifetime --source-ip --connect-timeout --proxy --streams-per-connection --threads --hgrm --svg --start-at --origin --auth --cacert --cert --key --tls-server-name)
    __wsk_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-c'|'--connections')
        return
        ;;
    '-s'|'--size')
        return
        ;;
    '-d'|'--depth')
        return
        ;;
    '-r'|'--rate')
        return
        ;;
    '-t'|'--duration')
        return
        ;;
    '--warmup')
        return
        ;;
    '--connect-rate')
        return
        ;;
    '--ramp-up')
        return
        ;;
    '--message-rate-per-connection')
        return
        ;;
    '--ping-interval')
        return
        ;;
    '--channel-lifetime')
        return
        ;;
    '--source-ip')
        return
        ;;
    '--stage')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--proxy')
        return
        ;;
    '--streams-per-connection')
        return
        ;;
    '--threads')
        return
        ;;
    '--threshold')
        return
        ;;
    '--hgrm')
        __wsk_add_completions -f
        return
        ;;
    '--svg')
        __wsk_add_completions -f
        return
        ;;
    '--start-at')
        return
        ;;
    '-H'|'--header')
        return
        ;;
    '--subprotocol')
        return
        ;;
    '--origin')
        return
        ;;
    '--auth')
        return
        ;;
    '--cacert')
        __wsk_add_completions -f
        return
        ;;
    '--cert')
        __wsk_add_completions -f
        return
        ;;
    '--key')
        __wsk_add_completions -f
        return
        ;;
    '--tls-server-name')
        return
        ;;
    esac
}

_wsk_bench_merge() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=(--threshold)
    non_repeating_options=()
    __wsk_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--threshold')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __wsk_add_completions -f
        return
        ;;
    esac
}

_wsk_frame-dump() {
    repeating_flags=()
    non_repeating_flags=(--hex --base64 --deflate --json --full --count --quiet --strict --assume-ws --color --no-color --version -h --help)
    repeating_options=(--port)
    non_repeating_options=(--pcap --role --extensions --max-frame-size)
    __wsk_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--pcap')
        __wsk_add_completions -o plusdirs -fX '!*.@(pcap|pcapng|cap)'
        return
        ;;
    '--port')
        return
        ;;
    '--role')
        __wsk_add_completions -W 'auto'$'\n''client'$'\n''server'
        return
        ;;
    '--extensions')
        return
        ;;
    '--max-frame-size')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __wsk_add_completions -f
        return
        ;;
    esac
}

_wsk_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __wsk_offer_flags_options -1
}

complete -o filenames -F _wsk wsk

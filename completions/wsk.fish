function __wsk_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __wsk_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __wsk_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __wsk_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __wsk_parse_tokens -S
    set -l unparsed_tokens (__wsk_tokens -pc)
    switch $unparsed_tokens[1]
    case 'wsk'
        __wsk_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'frame-dump'
            __wsk_parse_subcommand 1 'hex' 'base64' 'pcap=' 'port=+' 'role=' 'deflate' 'extensions=' 'json' 'full' 'count' 'quiet' 'strict' 'color' 'no-color' 'max-frame-size=' 'version' 'h/help'
        case 'help'
            __wsk_parse_subcommand -r 1 'version'
        end
    end
end

function __wsk_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __wsk_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __wsk_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __wsk_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__wsk_tokens -p)
    if test -z "$(__wsk_tokens -t)"
        set -l index (count (__wsk_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'wsk' -f
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk" version' -l 'version' -d 'Show the version.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_positional "wsk" -eq 1' -fa 'frame-dump' -d 'Decode WebSocket frames from bytes, hex, base64 or a pcap, and explain every protocol violation.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_positional "wsk" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_positional "wsk frame-dump" -eq 1' -F
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump" hex' -l 'hex' -d 'Read hex text: spaces, colons, 0x prefixes, newlines and xxd or hexdump -C output are accepted.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump" base64' -l 'base64' -d 'Read base64 text (standard or URL alphabet).'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump" pcap' -l 'pcap' -d 'Read a pcap or pcapng capture (\'-\' for standard input) and decode every WebSocket connection in it.' -rfa '(set -l exts \'pcap\' \'pcapng\' \'cap\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump"' -l 'port' -d 'Only decode capture connections with this port on either side (repeatable).' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump" role' -l 'role' -d 'Who wrote raw input: client (frames masked), server, or auto (from the first frame\'s mask bit).' -rfka 'auto client server'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump" deflate' -l 'deflate' -d 'Raw input uses permessage-deflate with default parameters: inflate messages with RSV1 set.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump" extensions' -l 'extensions' -d 'Raw input uses the extensions of this Sec-WebSocket-Extensions response value, e.g. \'permessage-deflate; server_no_context_takeover\'.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump" json' -l 'json' -d 'One JSON object per line instead of text.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump" full' -l 'full' -d 'Show whole payloads instead of previews.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump" count' -l 'count' -d 'Print only the totals (no per-frame output): the fastest mode.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump" quiet' -l 'quiet' -d 'Print only violations and the totals.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump" strict' -l 'strict' -d 'Exit with status 1 if any violation was found.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump" color' -l 'color' -d 'Colour the output (default: on a terminal, unless NO_COLOR is set).'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump" no-color' -l 'no-color' -d 'Colour the output (default: on a terminal, unless NO_COLOR is set).'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump" max-frame-size' -l 'max-frame-size' -d 'The largest frame payload, and inflated message, decoded, in bytes.' -rfka ''
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump" version' -l 'version' -d 'Show the version.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk frame-dump" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'wsk' -n '__wsk_should_offer_completions_for_flags_or_options "wsk help" version' -l 'version' -d 'Show the version.'

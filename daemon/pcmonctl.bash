# bash completion for pcmonctl(1)
_pcmonctl() {
    local cur prev words cword
    _init_completion || return
    local commands="get wait watch history metrics stats config reload ping"
    local groups="cpu memory disk fs network kernel textfile all"

    case $prev in
        --socket) _filedir; return ;;
    esac
    local i command=""
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            --socket) ((i++)) ;;
            -*) ;;
            *) command=${words[i]}; break ;;
        esac
    done
    if [[ -z $command ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "--socket --json --help" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        fi
        return
    fi
    case $command in
        get) [[ $prev == get ]] && COMPREPLY=($(compgen -W "$groups" -- "$cur")) ;;
        wait | watch | history)
            [[ $prev == "$command" ]] && COMPREPLY=($(compgen -W "cpu memory disk fs network kernel textfile" -- "$cur")) ;;
    esac
} && complete -F _pcmonctl pcmonctl

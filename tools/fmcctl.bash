# bash completion for fmcctl. Source it (`source tools/fmcctl.bash`) or install
# it as /usr/share/bash-completion/completions/fmcctl.
_fmcctl() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
  local commands="endpoints locations switches sites paths services policy leases migrations migrate cancel events watch metrics"
  local options="--api --token-file --ca-file --json --help"
  COMPREPLY=()
  case $prev in
    --token-file | --ca-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --api) COMPREPLY=($(compgen -W "http://127.0.0.1:8080 https://" -- "$cur")); return ;;
  esac
  # The command given so far, skipping options and their values.
  local i cmd=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      --api | --token-file | --ca-file) ((i++)) ;;
      -*) ;;
      *) cmd=${COMP_WORDS[i]}; break ;;
    esac
  done
  if [[ -z $cmd ]]; then
    if [[ $cur == -* ]]; then
      COMPREPLY=($(compgen -W "$options" -- "$cur"))
    else
      COMPREPLY=($(compgen -W "$commands" -- "$cur"))
    fi
    return
  fi
  case $cmd in
    policy)
      local keys="policy= dwell_s= hysteresis= horizon_s= link_mbps= expected_downtime_ms= migration_weight= retry_after_s="
      if [[ $cur == policy=* ]]; then
        COMPREPLY=($(compgen -W "policy=off policy=nearest policy=threshold policy=mdp" -- "$cur"))
      else
        COMPREPLY=($(compgen -W "$keys" -- "$cur"))
        compopt -o nospace 2>/dev/null
      fi
      ;;
  esac
}
complete -F _fmcctl fmcctl

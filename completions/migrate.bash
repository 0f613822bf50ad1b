# bash completion for migrate: subcommands, their flags and the global flags; the
# environments of config.toml after --env; migration versions after --to and for repair and
# baseline. The last two come from `migrate __complete envs|versions`, which reads the same
# config.toml as the command would (--config on the line is passed on).
# Installed as /usr/share/bash-completion/completions/migrate.

# _migrate_words envs|versions: one word a line, nothing on any error.
_migrate_words() {
  local config=() i
  for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
    [[ ${COMP_WORDS[i]} == --config ]] && config=(--config "${COMP_WORDS[i + 1]}")
  done
  "${COMP_WORDS[0]}" "${config[@]}" __complete "$1" 2>/dev/null
}

_migrate() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
  local globals="--help --version --config --env --database --lock-wait --json --quiet -q --no-color"
  local commands="new build plan run down status repair unlock drift baseline verify import diff inspect"
  COMPREPLY=()
  case $prev in
    --env) mapfile -t COMPREPLY < <(compgen -W "$(_migrate_words envs)" -- "$cur"); return ;;
    --to) mapfile -t COMPREPLY < <(compgen -W "$(_migrate_words versions)" -- "$cur"); return ;;
    --format) mapfile -t COMPREPLY < <(compgen -W "text sql html" -- "$cur"); return ;;
    --dialect) mapfile -t COMPREPLY < <(compgen -W "postgres sqlite" -- "$cur"); return ;;
    --out)
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -d -- "$cur")
      return
      ;;
    --from)
      mapfile -t COMPREPLY < <(compgen -W "golang-migrate dbmate goose flyway typeorm" -- "$cur")
      return
      ;;
    --config)
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
      return
      ;;
    --database | --lock-wait | --dev-url | --verify-url | --rename) return ;;
  esac
  # The subcommand: the first word that is neither a flag nor a global option's value.
  local i cmd=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      --config | --env | --database | --lock-wait) ((i++)) ;;
      -*) ;;
      *) cmd=${COMP_WORDS[i]} && break ;;
    esac
  done
  local flags=""
  case $cmd in
    build) flags="--check --strict --lint-all --no-rehearse --verify-url" ;;
    plan) flags="--format --to" ;;
    run) flags="--to --dry-run --allow-out-of-order --single-transaction" ;;
    down) flags="--to --all --dry-run" ;;
    repair) flags="--applied --forget --accept" ;;
    drift) flags="--accept" ;;
    baseline) flags="--check --dev-url --from --table" ;;
    verify) flags="--dev-url --allow-existing" ;;
    import) flags="--from" ;;
    diff) flags="--check --dialect --dev-url --rename" ;;
    inspect) flags="--out --force" ;;
  esac
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$flags $globals" -- "$cur")
  elif [[ -z $cmd ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
  elif [[ $cmd == repair || $cmd == baseline ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(_migrate_words versions)" -- "$cur")
  fi
}
complete -F _migrate migrate

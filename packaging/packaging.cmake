# What `cmake --install` puts where, the man page, and the Debian package (CPack), included
# by the top-level CMakeLists.txt. scripts/package makes the .deb (README.md, "Install").
include(GNUInstallDirs)

# The man page, from the CLI's own help (packaging/make-manpage): part of the default build
# when help2man is installed; MIGRATE_REQUIRE_MANPAGE (scripts/package) makes it required.
option(MIGRATE_REQUIRE_MANPAGE "Fail the configuration when help2man is missing" OFF)
find_program(HELP2MAN help2man)
if(NOT HELP2MAN AND MIGRATE_REQUIRE_MANPAGE)
  message(FATAL_ERROR "help2man is missing, so the man page cannot be made: scripts/deps "
                      "installs it (apt-get install help2man)")
endif()
if(HELP2MAN)
  set(migrate_manpage ${CMAKE_BINARY_DIR}/man/migrate.1.gz)
  add_custom_command(OUTPUT ${migrate_manpage}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
    COMMAND ${PROJECT_SOURCE_DIR}/packaging/make-manpage $<TARGET_FILE:migrate>
            ${PROJECT_VERSION} ${migrate_manpage}
    DEPENDS migrate ${PROJECT_SOURCE_DIR}/packaging/make-manpage
            ${PROJECT_SOURCE_DIR}/packaging/migrate.h2m
    COMMENT "Writing the man page migrate.1 from migrate --help"
    VERBATIM)
  add_custom_target(manpage ALL DEPENDS ${migrate_manpage})
  install(FILES ${migrate_manpage} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(STATUS "help2man not found: no man page (scripts/deps installs it)")
endif()

install(TARGETS migrate RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/completions/migrate.bash
  DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/bash-completion/completions RENAME migrate)
install(FILES ${PROJECT_SOURCE_DIR}/completions/_migrate
  DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/zsh/vendor-completions)
file(GLOB migrate_docs ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${migrate_docs} DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The Debian package: migrate_<version>_amd64.deb, its Depends computed by dpkg-shlibdeps
# from the libraries the binary links (libpqxx, libpq, libsqlite3, libssl...).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME migrate)
set(CPACK_PACKAGE_VENDOR "migrate")
set(CPACK_PACKAGE_CONTACT "migrate maintainers <migrate@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "plain-SQL migrations for PostgreSQL and SQLite")
# The first line of Description is CPACK_PACKAGE_DESCRIPTION_SUMMARY; this is the long text.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
  "migrate applies migrations written as plain .up.sql and .down.sql files. migrate build\n\
validates all of them and writes a checksummed, deterministic bundle; migrate run applies\n\
exactly that bundle, each migration in one transaction with its history row, under a lock\n\
that concurrent deploys respect. It detects drift of files and of the live schema,\n\
verifies that each down undoes its up, and lints PostgreSQL DDL for dangerous locks.")
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # migrate_<version>_<arch>.deb
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
include(CPack)

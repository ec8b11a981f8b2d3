# Run by `cmake --install` (deploy/CMakeLists.txt): installs the systemd unit and the example
# config with paths taken from the install-time prefix, so `cmake --install build --prefix /usr`
# (make deb) and `make install PREFIX=/usr/local` both get a unit that runs the binary they
# installed. Like GNUInstallDirs, the prefix /usr puts the config in /etc, any other prefix P in
# P/etc. Needs TW_DEPLOY_DIR (set by an install(CODE) just before).
set(prefix "${CMAKE_INSTALL_PREFIX}")
if(prefix STREQUAL "/usr")
  set(etc "/etc/trailwatch")
else()
  set(etc "${prefix}/etc/trailwatch")
endif()
set(dest "$ENV{DESTDIR}")

file(READ "${TW_DEPLOY_DIR}/trailwatch.service" unit)
string(REPLACE "/usr/bin/trailwatch" "${prefix}/bin/trailwatch" unit "${unit}")
string(REPLACE "/etc/trailwatch/" "${etc}/" unit "${unit}")
set(unit_file "${dest}${prefix}/lib/systemd/system/trailwatch.service")
message(STATUS "Installing: ${unit_file}")
file(WRITE "${unit_file}" "${unit}")
file(CHMOD "${unit_file}" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# file(INSTALL) adds DESTDIR itself.
file(INSTALL "${TW_DEPLOY_DIR}/trailwatch.example.yml" DESTINATION "${etc}"
     FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

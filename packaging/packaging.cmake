# Installation — `cmake --install build` (as root) or the Debian package
# `cpack --config build/CPackConfig.cmake` builds from the same rules:
#   /usr/bin/fmc-controller, /usr/bin/fmcctl (and its bash completion)
#   /usr/lib/systemd/system/fmc-controller.service, /usr/lib/fmc/fmc-first-start
#   /etc/default/fmc-controller (the unit's options), /etc/fmc/network.yaml (the Fig. 1 example)
#   /usr/share/doc/fmc-controller: README, the OpenAPI contract, example networks
# The package adds the system user fmc and /var/lib/fmc (postinst); the API
# token is made on the first start (fmc-first-start). Files in /etc are conffiles.
include(GNUInstallDirs)
set(FMC_DOC_DIR ${CMAKE_INSTALL_DATADIR}/doc/fmc-controller)
install(TARGETS fmc-controller RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(PROGRAMS ${PROJECT_SOURCE_DIR}/tools/fmcctl DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/tools/fmcctl.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME fmcctl)
install(PROGRAMS ${PROJECT_SOURCE_DIR}/packaging/fmc-first-start DESTINATION lib/fmc)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/fmc-controller.service DESTINATION lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/fmc-controller.default DESTINATION /etc/default RENAME fmc-controller)
install(FILES ${PROJECT_SOURCE_DIR}/config/fig1.yaml DESTINATION /etc/fmc RENAME network.yaml)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/openapi.yaml DESTINATION ${FMC_DOC_DIR})
install(FILES ${PROJECT_SOURCE_DIR}/config/fig1.yaml DESTINATION ${FMC_DOC_DIR}/examples)

set(FMC_CONFFILES "${CMAKE_CURRENT_BINARY_DIR}/packaging/conffiles")
file(WRITE ${FMC_CONFFILES} "/etc/default/fmc-controller\n/etc/fmc/network.yaml\n")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME fmc-controller)
set(CPACK_PACKAGE_VERSION 0.1.0)
set(CPACK_PACKAGE_CONTACT "Follow-Me Cloud developers <fmc@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Follow-Me Cloud OpenFlow controller: services follow their mobile users")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, python3")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "openvswitch-switch")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${PROJECT_SOURCE_DIR}/packaging/postinst;${PROJECT_SOURCE_DIR}/packaging/prerm;${PROJECT_SOURCE_DIR}/packaging/postrm;${FMC_CONFFILES}")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)

# Installing and packaging: `cmake --install`, and a Debian package through CPack
# (scripts/package). The console, its bundled coordinator and txctl go to bin/ side by side (the
# console starts the coordinator-lite next to it); the console's private client library to
# lib/txdesk; the desktop entry, icon and AppStream metainfo where desktops look for them.

install(TARGETS coordinator-lite txctl RUNTIME DESTINATION bin)
if(TXDESK_BUILD_CONSOLE)
  install(TARGETS txdesk RUNTIME DESTINATION bin)
  install(TARGETS txdesk_client LIBRARY DESTINATION lib/txdesk NAMELINK_SKIP)
  set_target_properties(txdesk PROPERTIES INSTALL_RPATH "$ORIGIN/../lib/txdesk")
  set(_app dev.txdesk.TxDesk)
  install(FILES resources/desktop/${_app}.desktop DESTINATION share/applications)
  install(FILES resources/desktop/${_app}.metainfo.xml DESTINATION share/metainfo)
  install(FILES resources/icons/${_app}.svg DESTINATION share/icons/hicolor/scalable/apps)
endif()
install(FILES resources/icons/README.md DESTINATION share/doc/txdesk RENAME icons.md)
install(DIRECTORY resources/flows/ DESTINATION share/doc/txdesk/examples/flows)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME txdesk)
set(CPACK_PACKAGE_VENDOR "The TxDesk developers")
set(CPACK_PACKAGE_CONTACT "The TxDesk developers <txdesk@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "console and coordinator for SAGA and TCC distributed transactions")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "TxDesk is a Qt console to design, run and operate distributed transactions in the SAGA\n"
    "and TCC styles, with a bundled coordinator (coordinator-lite) that also serves DTM's\n"
    "server API, and txctl, its command-line client.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # txdesk_VERSION_ARCH.deb
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # the libraries' packages, from dpkg-shlibdeps
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${CMAKE_BINARY_DIR}/lib)
# Loaded at run time, so dpkg-shlibdeps cannot see them: the X11/Wayland platform plugins and
# the SVG icon engine that draws the bundled icons.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "qt6-qpa-plugins, libqt6svg6")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
include(CPack)

# txdesk_bundle_icons(TARGET LIST): copies the Breeze icons named in LIST (context/size/name
# lines, see theme-icons.txt) from Debian's breeze-icon-theme into the build tree and adds them to
# TARGET as resources, :/icons/breeze/CONTEXT/SIZE/NAME.svg (found by name: models/themeicons.h).
function(txdesk_bundle_icons target list)
  set(source /usr/share/icons/breeze)
  set(base ${CMAKE_CURRENT_BINARY_DIR}/icons)
  set(out ${base}/breeze)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${list})
  file(STRINGS ${list} entries REGEX "^[a-z]+/[0-9]+/[a-z0-9-]+$")
  set(files "")
  foreach(entry ${entries})
    if(NOT EXISTS ${source}/${entry}.svg)
      message(FATAL_ERROR "icon ${entry} not found in ${source}: install breeze-icon-theme "
                          "(scripts/setup)")
    endif()
    file(REAL_PATH ${source}/${entry}.svg real)  # the theme links many names to one file
    get_filename_component(dir ${entry} DIRECTORY)
    file(MAKE_DIRECTORY ${out}/${dir})
    file(COPY_FILE ${real} ${out}/${entry}.svg ONLY_IF_DIFFERENT)
    list(APPEND files ${out}/${entry}.svg)
  endforeach()
  qt_add_resources(${target} "bundled_icons" PREFIX "/icons" BASE ${base} FILES ${files})
endfunction()

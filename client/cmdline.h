/*
 * metalbirdc -- a command line from the words given on the shell's line
 */
#ifndef MB_CLIENT_CMDLINE_H
#define MB_CLIENT_CMDLINE_H

#include <stddef.h>

/*
 * Join argv[0..argc) into one command line in buf.  The shell has removed
 * the quotes of a string argument, so a later argument that is empty or holds
 * whitespace is put back in double quotes (`interface "my if"`); one that
 * already holds a double quote is taken as the user quoted it.  The first
 * argument is taken as it is, so that `metalbirdc "show protocols all"`
 * works as with birdc: a command never starts with a string.
 * Returns 0, or -1 with *err set (a newline in an argument, too long, empty).
 */
int cmdline_join(int argc, char *const argv[], char *buf, size_t len, const char **err);

/* Is line, with blanks around it ignored, the client-side word w
 * ("exit", "quit")? */
int cmdline_is(const char *line, const char *w);

/* Does line hold nothing but blanks? */
int cmdline_blank(const char *line);

#endif

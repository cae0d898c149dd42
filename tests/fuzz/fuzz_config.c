/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for the config loader: any bytes as a config file,
 * JSON or, when the input starts with '<', XML.  A config that loads must
 * print, and the printed form must load again and compare equal.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (config_init(YANG_DIR) != 0)
		abort();
	return 0;
}

/* The printed config is valid input that gives the same config. */
static void
check_round_trip(const struct config *cfg)
{
	char *text = config_print_mem(cfg), *text2, *err = NULL;
	struct config *again;

	if (text == NULL)
		abort();
	if ((again = config_load_mem(text, "printed.json", &err)) == NULL)
		abort();
	if ((text2 = config_print_mem(again)) == NULL ||
	    strcmp(text, text2) != 0)
		abort();
	/* Logs nothing for equal configs; run for the diff walk itself. */
	config_log_diff(cfg, again);
	free(text);
	free(text2);
	config_free(again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *err = NULL;
	struct config *cfg;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	cfg = config_load_mem(text,
	    size > 0 && data[0] == '<' ? "fuzz.xml" : "fuzz.json", &err);
	if (cfg != NULL)
		check_round_trip(cfg);
	else if (err == NULL || strchr(err, '\n') != NULL)
		abort();	/* errors are one line */
	config_free(cfg);
	free(err);
	free(text);
	return 0;
}

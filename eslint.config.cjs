// ESLint (flat config) for the suite's JavaScript: ES modules that run in browsers,
// the operators' Odoo web client and the visitors' widget.
const globals = require("globals");

module.exports = [
    {
        files: ["**/*.js"],
        languageOptions: {
            ecmaVersion: 2024,
            sourceType: "module",
            globals: {
                ...globals.browser,
                odoo: "readonly",
                owl: "readonly",
            },
        },
        rules: {
            "array-callback-return": "warn",
            "constructor-super": "error",
            "dot-notation": "warn",
            eqeqeq: ["error", "smart"],
            "no-alert": "warn",
            "no-caller": "error",
            "no-cond-assign": "error",
            "no-const-assign": "error",
            "no-debugger": "error",
            "no-dupe-args": "error",
            "no-dupe-class-members": "error",
            "no-dupe-keys": "error",
            "no-duplicate-case": "error",
            "no-duplicate-imports": "error",
            "no-empty": "warn",
            "no-empty-pattern": "error",
            "no-eval": "error",
            "no-ex-assign": "error",
            "no-extend-native": "error",
            "no-fallthrough": "warn",
            "no-func-assign": "error",
            "no-global-assign": "error",
            "no-implied-eval": "error",
            "no-new-func": "error",
            "no-proto": "error",
            "no-redeclare": "error",
            "no-return-assign": "error",
            "no-script-url": "error",
            "no-self-assign": "error",
            "no-self-compare": "error",
            "no-sequences": "error",
            "no-shadow-restricted-names": "error",
            "no-this-before-super": "error",
            "no-throw-literal": "error",
            "no-undef": "error",
            "no-unreachable": "error",
            "no-unsafe-finally": "error",
            "no-unused-expressions": "error",
            "no-unused-labels": "error",
            "no-unused-vars": ["error", {args: "none"}],
            "no-use-before-define": ["error", {functions: false, variables: false}],
            "no-useless-call": "warn",
            "no-useless-concat": "warn",
            "no-useless-escape": "warn",
            "no-var": "error",
            "no-with": "error",
            "prefer-const": "warn",
            "use-isnan": "error",
            "valid-typeof": "error",
        },
    },
    {
        // The visitor's widget: classic scripts for pages that are not ours (no module
        // loader there), concatenated by the server into one function (see
        // controllers/widget.py): their top-level names are shared between the files
        // (`/* exported */`, `/* global */`) and never reach the page's globals. Modern
        // JavaScript up to ES2020, what every browser with shadow DOM runs.
        files: ["**/static/src/widget/**/*.js"],
        languageOptions: {ecmaVersion: 2020, sourceType: "script"},
        rules: {
            "no-redeclare": ["error", {builtinGlobals: false}],
            strict: "off",
        },
    },
    {
        // This file and other Node.js tooling.
        files: ["**/*.cjs"],
        languageOptions: {
            sourceType: "commonjs",
            globals: {...globals.node},
        },
    },
];
